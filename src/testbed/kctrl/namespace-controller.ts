/**
 * kctrl: the testbed's kube-controller-manager, reduced to the namespace controller KOS needs.
 * It watches namespaces on a kube front; for each terminating namespace that still carries the
 * `kubernetes` finalizer it deletes every KOS object in it on a network-apiserver, then removes
 * the finalizer through `finalize`, after which the kube front deletes the namespace. Failures
 * are retried with per-namespace exponential backoff. Serves /metrics and /healthz.
 */
import { specFinalizers } from '../../api/core/namespace-type.js';
import { FINALIZER_KUBERNETES } from '../../api/core/core-types.js';
import type { KosObject } from '../../api/meta.js';
import { apiPath, type ResourceRef } from '../../kube/api-path.js';
import { isConflict, isNotFound } from '../../kube/kube-api-error.js';
import { Reflector } from '../../kube/reflector.js';
import { runWorkers, WorkQueue } from '../../kube/work-queue.js';
import { RestClient } from '../../kube/rest-client.js';
import { startMetricsServer, type MetricsServer } from '../../net/metrics-server.js';
import { toError } from '../../util/errors.js';
import { KctrlMetrics } from './kctrl-metrics.js';
import { deleteKosContent } from './kos-content.js';
import { NapiClients } from './napi-clients.js';

export interface KctrlOptions {
  /** Node name, e.g. `kctrl0`; a label on its metrics. */
  name: string;
  /** Loopback address: the metrics server listens on it and client connections come from it. */
  host: string;
  /** URL of a kube front. */
  kubeFront: string;
  /** Base URLs of the network-apiservers. */
  napiServers: readonly string[];
  /** @default 0 (any free port) */
  metricsPort?: number;
  /** Namespaces worked on at once (kube-controller-manager's --concurrent-namespace-syncs). @default 2 */
  workers?: number;
  /** First retry delay of a failing namespace. @default 100 */
  retryBaseMs?: number;
  /** Longest retry delay. @default 10000 */
  retryMaxMs?: number;
  log?: (message: string) => void;
}

export interface Kctrl {
  name: string;
  endpoints: { metrics: string };
  /** Replaces the network-apiservers (the testbed scales NNA between runs). */
  setNapiServers(urls: readonly string[]): void;
  /** Resolves once the first list of namespaces is in. */
  synced(): Promise<void>;
  /** Idempotent. */
  stop(): Promise<void>;
}

const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
const FINALIZE_ATTEMPTS = 5;

/** Terminating, and ours to finalize. */
export function needsFinalizing(ns: KosObject): boolean {
  return ns.metadata.deletionTimestamp !== undefined && specFinalizers(ns).includes(FINALIZER_KUBERNETES);
}

export async function startKctrl(opts: KctrlOptions): Promise<Kctrl> {
  const { name, host } = opts;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${name}: ${m}\n`));
  const userAgent = `kos-test/${name}`;
  const metrics = new KctrlMetrics(name);
  const kube = new RestClient({ server: opts.kubeFront, localAddress: host, userAgent });
  const napis = new NapiClients({ localAddress: host, userAgent }, opts.napiServers);
  const queue = new WorkQueue({
    baseDelayMs: opts.retryBaseMs ?? 100,
    ...(opts.retryMaxMs === undefined ? {} : { maxDelayMs: opts.retryMaxMs }),
    onDepth: (depth) => {
      metrics.setDepth(depth);
    },
  });
  const enqueue = (ns: KosObject): void => {
    if (!needsFinalizing(ns)) return;
    metrics.added();
    queue.add(ns.metadata.name ?? '');
  };
  const reflector = new Reflector({
    client: kube,
    ref: NAMESPACES,
    handler: {
      onAdd: enqueue,
      onUpdate: (_prev, ns) => {
        enqueue(ns);
      },
    },
    log,
  });

  const sync = async (nsName: string): Promise<void> => {
    const cached = reflector.store.get(`/${nsName}`);
    if (cached === undefined || !needsFinalizing(cached)) return;
    await deleteKosContent(napis.next(), nsName, (resource, count) => {
      metrics.deleted.inc({ resource }, count);
    });
    if (await finalize(kube, nsName)) metrics.finalized.inc();
  };
  const timedSync = async (nsName: string): Promise<void> => {
    const started = performance.now();
    try {
      await sync(nsName);
    } finally {
      metrics.worked((performance.now() - started) / 1000);
    }
  };
  const onError = (key: string, e: unknown, delay: number): void => {
    metrics.retried();
    log(`namespace ${key}: ${toError(e).message}; retrying in ${delay} ms`);
  };

  let synced = false;
  const syncedPromise = reflector.start().then(() => {
    synced = true;
  });
  const workers = runWorkers(queue, Math.max(1, opts.workers ?? 2), timedSync, onError);
  let server: MetricsServer;
  try {
    server = await startMetricsServer({
      name: `kctrl ${name}`,
      host,
      port: opts.metricsPort ?? 0,
      registry: metrics.registry,
      healthy: () => synced,
    });
  } catch (e: unknown) {
    queue.shutdown();
    await reflector.stop();
    await Promise.all([workers, kube.close(), napis.close()]);
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    name,
    endpoints: { metrics: `${server.url}/metrics` },
    setNapiServers: (urls) => {
      napis.set(urls);
    },
    synced: () => syncedPromise,
    stop: () => {
      stopping ??= (async () => {
        queue.shutdown();
        await reflector.stop();
        await workers;
        await Promise.all([kube.close(), napis.close()]);
        await server.close();
      })();
      return stopping;
    },
  };
}

/**
 * Removes `kubernetes` from a terminating namespace's spec.finalizers through `finalize`, based on
 * a fresh read (conflicts are retried). False when there was nothing to do (gone, or done).
 */
async function finalize(kube: RestClient, nsName: string): Promise<boolean> {
  const ref: ResourceRef = { ...NAMESPACES, name: nsName };
  for (let attempt = 0; attempt < FINALIZE_ATTEMPTS; attempt++) {
    let current: KosObject;
    try {
      current = await kube.get(ref);
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
    if (!needsFinalizing(current)) return false;
    const finalizers = specFinalizers(current).filter((f) => f !== FINALIZER_KUBERNETES);
    try {
      await kube.request('PUT', `${apiPath(ref)}/finalize`, {
        ...current,
        spec: { ...current.spec, finalizers },
      });
      return true;
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      if (!isConflict(e)) throw e;
    }
  }
  throw new Error(`finalizing namespace ${nsName}: ${FINALIZE_ATTEMPTS} conflicting writes in a row`);
}
