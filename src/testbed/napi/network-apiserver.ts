/**
 * The embedded network-apiserver (napi): KOS's API group over HTTP on a loopback address, stored
 * in etcd, with one watch cache per resource. Several instances on one etcd serve the same
 * objects at the same resourceVersions, as replicas of the real Deployment do.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowMicros } from '../../api/micro-time.js';
import type { ResourceType } from '../../api/resource-type.js';
import { KOS_RESOURCES } from '../../api/resource-types.js';
import { KosTestError } from '../../util/errors.js';
import type { ApiContext } from './api-context.js';
import { ApiserverMetrics } from './apiserver-metrics.js';
import { Coalescer } from './coalescer.js';
import { EtcdKv } from '../etcd/etcd-kv.js';
import { EtcdStore, isCompactedError } from './etcd-store.js';
import { createRouter } from './request-router.js';
import { WatchCache } from './watch-cache.js';

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
  /** Compact etcd history older than this, as kube-apiserver does; 0 = never. @default 300000 */
  compactionIntervalMs?: number;
  /** Added to this server's wall clock (its write stamps), to test clock-offset measurement. @default 0 */
  clockOffsetMs?: number;
  log?: (message: string) => void;
}

export class NetworkApiserver {
  readonly name: string;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  private readonly server: Server;
  private readonly store: EtcdStore;
  private readonly caches: Map<ResourceType, WatchCache>;
  private readonly coalescer: Coalescer;
  private compactionTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  readonly metrics: ApiserverMetrics;

  private constructor(parts: {
    name: string;
    server: Server;
    store: EtcdStore;
    caches: Map<ResourceType, WatchCache>;
    coalescer: Coalescer;
    metrics: ApiserverMetrics;
    host: string;
    port: number;
  }) {
    this.name = parts.name;
    this.server = parts.server;
    this.store = parts.store;
    this.caches = parts.caches;
    this.coalescer = parts.coalescer;
    this.metrics = parts.metrics;
    this.host = parts.host;
    this.port = parts.port;
    this.url = `http://${parts.host}:${parts.port}`;
  }

  static async start(opts: NetworkApiserverOptions): Promise<NetworkApiserver> {
    const name = opts.name ?? 'napi0';
    const clockOffsetMs = opts.clockOffsetMs ?? 0;
    const host = opts.host ?? '127.0.0.1';
    const log = opts.log ?? ((m: string) => process.stderr.write(`${name}: ${m}\n`));
    // etcd over node:http2 without grpc-js (ADR 0014).
    const store = new EtcdStore(new EtcdKv({ endpoints: opts.etcdEndpoints }));
    const caches = new Map<ResourceType, WatchCache>();
    const metrics = new ApiserverMetrics(name, () =>
      [...caches.values()].map((c) => [c.type.resource, c.objectCount]),
    );
    const coalescer = new Coalescer(opts.coalesceMs ?? 5);
    for (const type of KOS_RESOURCES) {
      caches.set(
        type,
        new WatchCache({
          type,
          store,
          etcdEndpoints: opts.etcdEndpoints,
          historySize: opts.watchHistorySize ?? 100_000,
          bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
          log,
        }),
      );
    }
    const ctx: ApiContext = {
      store,
      cacheOf: (type) => {
        const cache = caches.get(type);
        if (cache === undefined) throw new Error(`no watch cache for ${type.resource}`);
        return cache;
      },
      coalescer,
      metrics,
      limits: {
        maxBodyBytes: opts.maxBodyBytes ?? 3 * 1024 * 1024,
        maxWatchBufferBytes: opts.maxWatchBufferBytes ?? 64 * 1024 * 1024,
        maxWatchSeconds: opts.maxWatchSeconds ?? 1800,
      },
      // A known skew for the selftest (issue 23): every stamp and timestamp this server writes.
      nowMs: () => Date.now() + clockOffsetMs,
      stampMicros: () => nowMicros() + Math.round(clockOffsetMs * 1000),
    };
    try {
      await Promise.all([...caches.values()].map((c) => c.ready()));
    } catch (e: unknown) {
      store.close();
      throw new KosTestError({
        what: `network-apiserver ${name} cannot reach etcd`,
        value: opts.etcdEndpoints.join(','),
        fix: 'start etcd first (kos-test testbed apiserver starts one) or pass the right --etcd endpoints',
        cause: e,
      });
    }
    let ready = true;
    const route = createRouter(ctx, { component: name, isReady: () => ready, log });
    const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
      void route(req, res);
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        store.close();
        reject(
          new KosTestError({
            what: `network-apiserver ${name} cannot listen`,
            value: `${host}:${opts.port ?? 0} (${e.code ?? e.message})`,
            fix: 'choose a free port, or stop what is using it',
          }),
        );
      });
      server.listen(opts.port ?? 0, host, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    const napi = new NetworkApiserver({
      name,
      server,
      store,
      caches,
      coalescer,
      metrics,
      host,
      port,
    });
    napi.scheduleCompaction(store, opts.compactionIntervalMs ?? 300_000, log);
    server.on('close', () => {
      ready = false;
    });
    return napi;
  }

  /** Compacts to the revision seen one interval ago, so history always spans at least one interval. */
  private scheduleCompaction(store: EtcdStore, intervalMs: number, log: (m: string) => void): void {
    if (intervalMs <= 0) return;
    let previous = 0;
    this.compactionTimer = setInterval(() => {
      void (async () => {
        try {
          if (previous > 0) await store.compact(previous);
          previous = await store.currentRevision();
        } catch (e: unknown) {
          // Another apiserver compacting the same revision first is normal.
          if (!isCompactedError(e)) log(`compaction failed: ${String(e)}`);
        }
      })();
    }, intervalMs);
    this.compactionTimer.unref();
  }

  /** Stops serving: ends every watch, closes connections and the etcd client. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.compactionTimer !== undefined) clearInterval(this.compactionTimer);
      const closed = new Promise<void>((resolve) =>
        this.server.close(() => {
          resolve();
        }),
      );
      await Promise.all([...this.caches.values()].map((c) => c.stop()));
      this.coalescer.stop();
      this.server.closeAllConnections();
      await closed;
      this.store.close();
    })();
    return this.stopping;
  }
}
