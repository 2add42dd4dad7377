/**
 * What the network-apiserver and the kube front share: the etcd store with one watch cache per
 * resource and the request context over them, the HTTP listener, etcd compaction, and the plain
 * endpoints (version, health, readiness, metrics). Each server adds only its own routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowMicros } from '../../api/micro-time.js';
import { namespaces as namespaceType } from '../../api/core/namespace-type.js';
import type { ResourceType } from '../../api/resource-type.js';
import { KosTestError } from '../../util/errors.js';
import { EtcdKv } from '../etcd/etcd-kv.js';
import type { ApiContext, ApiLimits } from './api-context.js';
import { ApiserverMetrics } from './apiserver-metrics.js';
import { Coalescer } from './coalescer.js';
import { versionInfo } from './discovery.js';
import { EtcdStore, isCompactedError } from './etcd-store.js';
import { namespaceLifecycle, type NamespaceSource } from './namespace-lifecycle.js';
import { sendJsonText, sendText } from './http-io.js';
import { WatchCache } from './watch-cache.js';

export interface StorageOptions {
  /** The server's name (its node), a label on its metrics. */
  name: string;
  etcdEndpoints: readonly string[];
  resources: readonly ResourceType[];
  /** Recent events kept per resource for watches from a version. @default 100000 */
  watchHistorySize?: number | undefined;
  /** How often watches that asked for bookmarks get one. @default 60000 */
  bookmarkIntervalMs?: number | undefined;
  /** A watch connection's events are written together once per tick. @default 5 */
  coalesceMs?: number | undefined;
  /** Largest accepted request body (Kubernetes: 3 MiB). @default 3145728 */
  maxBodyBytes?: number | undefined;
  /** A watch with more unsent bytes than this is closed. @default 67108864 */
  maxWatchBufferBytes?: number | undefined;
  /** Longest watch when the client gives no timeoutSeconds. @default 1800 */
  maxWatchSeconds?: number | undefined;
  /** Added to this server's wall clock (its stamps and timestamps), to test clock-offset measurement. @default 0 */
  clockOffsetMs?: number | undefined;
  /**
   * Where namespaces are kept, for NamespaceLifecycle: this server's own etcd (the kube front),
   * another etcd (ketcd, for a network-apiserver behind a kube front), or none (a
   * network-apiserver alone: any well-formed namespace name is accepted).
   */
  namespaces?: 'own' | { etcdEndpoints: readonly string[] } | undefined;
  /** What to tell the user when etcd cannot be reached. */
  unreachable: { what: string; fix: string };
  log: (message: string) => void;
}

export interface ApiStorage {
  ctx: ApiContext;
  store: EtcdStore;
  metrics: ApiserverMetrics;
  /** Ends every watch (with its coalescer) so clients see a clean end, not a reset. */
  endWatches(): Promise<void>;
  closeStore(): void;
}

/** Opens etcd and fills a watch cache per resource; fails in one line when etcd cannot be reached. */
export async function openApiStorage(opts: StorageOptions): Promise<ApiStorage> {
  // etcd over node:http2 without grpc-js (ADR 0014).
  const store = new EtcdStore(new EtcdKv({ endpoints: opts.etcdEndpoints }));
  const caches = new Map<ResourceType, WatchCache>();
  for (const type of opts.resources) {
    caches.set(
      type,
      new WatchCache({
        type,
        store,
        etcdEndpoints: opts.etcdEndpoints,
        historySize: opts.watchHistorySize ?? 100_000,
        bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
        log: opts.log,
      }),
    );
  }
  const metrics = new ApiserverMetrics(opts.name, () =>
    [...caches.values()].map((c) => [c.type.resource, c.objectCount]),
  );
  const nsView = namespaceView(opts, store, caches);
  const coalescer = new Coalescer(opts.coalesceMs ?? 5);
  const clockOffsetMs = opts.clockOffsetMs ?? 0;
  const limits: ApiLimits = {
    maxBodyBytes: opts.maxBodyBytes ?? 3 * 1024 * 1024,
    maxWatchBufferBytes: opts.maxWatchBufferBytes ?? 64 * 1024 * 1024,
    maxWatchSeconds: opts.maxWatchSeconds ?? 1800,
  };
  const ctx: ApiContext = {
    store,
    cacheOf: (type) => {
      const cache = caches.get(type);
      if (cache === undefined) throw new Error(`no watch cache for ${type.resource}`);
      return cache;
    },
    coalescer,
    metrics,
    limits,
    namespaces: namespaceLifecycle(nsView?.source),
    // A known skew for the selftest (issue 23): every stamp and timestamp this server writes.
    nowMs: () => Date.now() + clockOffsetMs,
    stampMicros: () => nowMicros() + Math.round(clockOffsetMs * 1000),
  };
  try {
    await Promise.all(
      [...caches.values(), ...(nsView?.cache === undefined ? [] : [nsView.cache])].map((c) => c.ready()),
    );
  } catch (e: unknown) {
    store.close();
    nsView?.close();
    throw new KosTestError({
      what: opts.unreachable.what,
      value: opts.etcdEndpoints.join(','),
      fix: opts.unreachable.fix,
      cause: e,
    });
  }
  return {
    ctx,
    store,
    metrics,
    endWatches: async () => {
      await Promise.all([...caches.values()].map((c) => c.stop()));
      await nsView?.cache?.stop();
      coalescer.stop();
    },
    closeStore: () => {
      store.close();
      nsView?.close();
    },
  };
}

/** The namespaces NamespaceLifecycle reads, with what to start and stop for them (a ketcd view). */
function namespaceView(
  opts: StorageOptions,
  store: EtcdStore,
  caches: Map<ResourceType, WatchCache>,
): { source: NamespaceSource; cache?: WatchCache; close(): void } | undefined {
  const from = opts.namespaces;
  if (from === undefined) return undefined;
  if (from === 'own') {
    const cache = caches.get(namespaceType);
    if (cache === undefined) throw new Error('namespaces: own, but this server keeps no namespaces');
    return { source: sourceOf(cache, store), close: () => undefined };
  }
  const nsStore = new EtcdStore(new EtcdKv({ endpoints: from.etcdEndpoints }));
  const cache = new WatchCache({
    type: namespaceType,
    store: nsStore,
    etcdEndpoints: from.etcdEndpoints,
    historySize: 1000,
    bookmarkIntervalMs: 60_000,
    log: opts.log,
  });
  return {
    source: sourceOf(cache, nsStore),
    cache,
    close: () => {
      nsStore.close();
    },
  };
}

function sourceOf(cache: WatchCache, store: EtcdStore): NamespaceSource {
  return {
    cached: (name) => cache.get('', name)?.obj,
    live: async (name) => (await store.get(namespaceType, '', name))?.obj,
  };
}

/** How long a client may take to send a request (a slow or stalled one holds a connection). */
export interface ClientTimeouts {
  /** To send the request line and headers (Go's ReadHeaderTimeout in kube-apiserver: 32 s). @default 32000 */
  headersTimeoutMs?: number | undefined;
  /** To send the whole request, body included; a watch's lasts past this, as only its request counts. @default 60000 */
  requestTimeoutMs?: number | undefined;
}

/**
 * A keep-alive HTTP server on host:port (0: any free port), or a one-line error naming both.
 * A client that sends its request too slowly (slowloris) gets node's 408 and is disconnected.
 */
export async function listenApi(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  where: { what: string; host: string; port: number },
  timeouts: ClientTimeouts = {},
): Promise<{ server: Server; port: number }> {
  const headersTimeout = timeouts.headersTimeoutMs ?? 32_000;
  const server = createServer(
    {
      keepAlive: true,
      headersTimeout,
      requestTimeout: Math.max(timeouts.requestTimeoutMs ?? 60_000, headersTimeout),
      // How often node looks for clients past those limits (default 30 s: too late for a 32 s limit).
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new KosTestError({
          what: `${where.what} cannot listen`,
          value: `${where.host}:${where.port} (${e.code ?? e.message})`,
          fix: 'choose a free port, or stop what is using it',
        }),
      );
    });
    server.listen(where.port, where.host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * The shutdown both servers do: stop accepting, end every watch, drop the connections left, let
 * `beforeClose` finish (the front's proxied requests), then close etcd.
 */
export async function shutDownApi(
  server: Server,
  storage: ApiStorage,
  beforeClose: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await storage.endWatches();
  server.closeAllConnections();
  await beforeClose();
  await closed;
  storage.closeStore();
}

/**
 * Compacts to the revision seen one interval ago, so history always spans at least one interval
 * (as kube-apiserver does). Returns the timer, or undefined when compaction is off (interval 0).
 */
export function scheduleCompaction(
  store: EtcdStore,
  intervalMs: number,
  log: (m: string) => void,
): NodeJS.Timeout | undefined {
  if (intervalMs <= 0) return undefined;
  let previous = 0;
  const timer = setInterval(() => {
    void (async () => {
      try {
        if (previous > 0) await store.compact(previous);
        previous = await store.currentRevision();
      } catch (e: unknown) {
        // Another replica compacting the same revision first is normal.
        if (!isCompactedError(e)) log(`compaction failed: ${String(e)}`);
      }
    })();
  }, intervalMs);
  timer.unref();
  return timer;
}

export type PlainEndpoint = 'version' | 'healthz' | 'livez' | 'readyz' | 'metrics';

/** version, healthz, livez, readyz and metrics, alike on every apiserver of the testbed. */
export async function servePlain(
  what: PlainEndpoint,
  res: ServerResponse,
  server: { component: string; isReady(): boolean; notReady: string; metrics: ApiserverMetrics },
): Promise<void> {
  switch (what) {
    case 'version':
      sendJsonText(res, 200, versionInfo(server.component));
      return;
    case 'healthz':
    case 'livez':
      sendText(res, 200, 'ok');
      return;
    case 'readyz':
      if (server.isReady()) sendText(res, 200, 'ok');
      else sendText(res, 503, `${server.notReady}\nreadyz check failed`);
      return;
    case 'metrics':
      sendText(res, 200, await server.metrics.registry.metrics(), server.metrics.registry.contentType);
      return;
  }
}
