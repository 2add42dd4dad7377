/**
 * The embedded network-apiserver (napi): KOS's API group over HTTP on a loopback address, stored
 * in etcd, with one watch cache per resource. Several instances on one etcd serve the same
 * objects at the same resourceVersions, as replicas of the real Deployment do.
 */
import type { Server } from 'node:http';
import { KOS_RESOURCES } from '../../api/resource-types.js';
import {
  listenApi,
  openApiStorage,
  scheduleCompaction,
  shutDownApi,
  type ApiStorage,
} from './api-server-core.js';
import type { ApiserverMetrics } from './apiserver-metrics.js';
import { createRouter } from './request-router.js';

export interface NetworkApiserverOptions {
  /** Name of this instance (its node), e.g. `napi0`; a label on its metrics. */
  name?: string;
  etcdEndpoints: readonly string[];
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Recent events kept per resource for watches from a version. @default 100000 */
  watchHistorySize?: number;
  /** How often watches that asked for bookmarks get one. @default 60000 */
  bookmarkIntervalMs?: number;
  /** A watch connection's events are written together once per tick. @default 5 */
  coalesceMs?: number;
  /** Largest accepted request body (Kubernetes: 3 MiB). @default 3145728 */
  maxBodyBytes?: number;
  /** A watch with more unsent bytes than this is closed. @default 67108864 */
  maxWatchBufferBytes?: number;
  /** Longest watch when the client gives no timeoutSeconds. @default 1800 */
  maxWatchSeconds?: number;
  /** To send a request's headers (slow clients are cut off). @default 32000 */
  headersTimeoutMs?: number;
  /** To send a whole request. @default 60000 */
  requestTimeoutMs?: number;
  /** Compact etcd history older than this, as kube-apiserver does; 0 = never. @default 300000 */
  compactionIntervalMs?: number;
  /** Added to this server's wall clock (its write stamps), to test clock-offset measurement. @default 0 */
  clockOffsetMs?: number;
  /**
   * ketcd's client URLs: objects are created only in namespaces that exist there and are not
   * terminating. Without them (a network-apiserver alone) any well-formed namespace is accepted.
   */
  namespaceEtcdEndpoints?: readonly string[];
  log?: (message: string) => void;
}

export class NetworkApiserver {
  readonly name: string;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly metrics: ApiserverMetrics;
  private compactionTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly storage: ApiStorage,
    where: { name: string; host: string; port: number },
  ) {
    this.name = where.name;
    this.host = where.host;
    this.port = where.port;
    this.url = `http://${where.host}:${where.port}`;
    this.metrics = storage.metrics;
  }

  static async start(opts: NetworkApiserverOptions): Promise<NetworkApiserver> {
    const name = opts.name ?? 'napi0';
    const host = opts.host ?? '127.0.0.1';
    const log = opts.log ?? ((m: string) => process.stderr.write(`${name}: ${m}\n`));
    const storage = await openApiStorage({
      ...opts,
      name,
      resources: KOS_RESOURCES,
      namespaces:
        opts.namespaceEtcdEndpoints === undefined
          ? undefined
          : { etcdEndpoints: opts.namespaceEtcdEndpoints },
      unreachable: {
        what: `network-apiserver ${name} cannot reach etcd`,
        fix: 'start etcd first (kos-test testbed apiserver starts one) or pass the right --etcd endpoints',
      },
      log,
    });
    let ready = true;
    const route = createRouter(storage.ctx, { component: name, isReady: () => ready, log });
    let listening: Awaited<ReturnType<typeof listenApi>>;
    try {
      listening = await listenApi(
        route,
        { what: `network-apiserver ${name}`, host, port: opts.port ?? 0 },
        opts,
      );
    } catch (e: unknown) {
      storage.closeStore();
      throw e;
    }
    const napi = new NetworkApiserver(listening.server, storage, { name, host, port: listening.port });
    napi.compactionTimer = scheduleCompaction(storage.store, opts.compactionIntervalMs ?? 300_000, log);
    listening.server.on('close', () => {
      ready = false;
    });
    return napi;
  }

  /** Stops serving: ends every watch, closes connections and the etcd client. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.compactionTimer !== undefined) clearInterval(this.compactionTimer);
      await shutDownApi(this.server, this.storage);
    })();
    return this.stopping;
  }
}
