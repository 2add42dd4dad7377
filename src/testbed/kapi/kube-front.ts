/**
 * The testbed's kube front (a `kapi` node; NKA of them): what the driver and tools reach as "the
 * Kubernetes apiserver". It stores the core kinds they need (nodes, namespaces) in its own etcd
 * (ketcd), and the apps/v1 workload objects the testbed emulates (ADR 0017), with the network-apiserver's machinery (etcd store, watch caches, handlers), and
 * aggregates `network.example.com` by proxying to the network-apiservers, as kube-apiserver does
 * for an APIService. Several fronts on one ketcd agree on objects and versions.
 */
import { nowMicros } from '../../api/micro-time.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APPS_RESOURCES } from '../../api/apps/apps-resources.js';
import { CORE_RESOURCES } from '../../api/core/core-resources.js';
import type { ResourceType } from '../../api/resource-type.js';
import { apiErrors } from '../../api/status.js';
import { KosTestError } from '../../util/errors.js';
import type { ApiContext } from '../napi/api-context.js';
import { ApiserverMetrics } from '../napi/apiserver-metrics.js';
import { Coalescer } from '../napi/coalescer.js';
import { apiGroupDocument, versionInfo } from '../napi/discovery.js';
import { EtcdKv } from '../etcd/etcd-kv.js';
import { EtcdStore, isCompactedError } from '../napi/etcd-store.js';
import { sendJsonText, sendText } from '../napi/http-io.js';
import { sendFailure, serveResource } from '../napi/request-router.js';
import { WatchCache } from '../napi/watch-cache.js';
import { appsGroupDocument, appsResourceList, frontGroupList } from './apps-discovery.js';
import { apiVersions, coreResourceList } from './core-discovery.js';
import { frontRouteOf, type FrontRoute } from './front-routes.js';
import { NapiProxy } from './napi-proxy.js';
import { serveScale } from './scale-subresource.js';

export interface KubeFrontOptions {
  /** Node name, e.g. `kapi0`; a label on its metrics. */
  name: string;
  /** Loopback address to listen on, e.g. nodeAddress('kapi', 0). */
  host: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Client URLs of ketcd. */
  etcdEndpoints: readonly string[];
  /** Base URLs of the network-apiservers that serve network.example.com. */
  napiServers: readonly string[];
  /** Recent events kept per resource for watches from a version. @default 100000 */
  watchHistorySize?: number;
  /** How often watches that asked for bookmarks get one. @default 60000 */
  bookmarkIntervalMs?: number;
  /** A watch connection's events are written together once per tick. @default 5 */
  coalesceMs?: number;
  /** Compact ketcd history older than this, as kube-apiserver does; 0 = never. @default 300000 */
  compactionIntervalMs?: number;
  /** Largest accepted request body (Kubernetes: 3 MiB). @default 3145728 */
  maxBodyBytes?: number;
  /** Longest watch when the client gives no timeoutSeconds. @default 1800 */
  maxWatchSeconds?: number;
  log?: (message: string) => void;
}

export interface KubeFront {
  name: string;
  /** e.g. http://127.5.0.1:41234 */
  url: string;
  endpoints: { api: string; metrics: string };
  /** The network-apiservers requests are spread over now. */
  readonly napiServers: readonly string[];
  /** Replaces the network-apiservers (the testbed scales NNA between runs). */
  setNapiServers(urls: readonly string[]): void;
  metrics: ApiserverMetrics;
  /** Ends every watch and proxied request, closes connections and the etcd client. Idempotent. */
  stop(): Promise<void>;
}

export async function startKubeFront(opts: KubeFrontOptions): Promise<KubeFront> {
  const { name, host } = opts;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${name}: ${m}\n`));
  // etcd over node:http2 without grpc-js (ADR 0014).
  const store = new EtcdStore(new EtcdKv({ endpoints: opts.etcdEndpoints }));
  const caches = new Map<ResourceType, WatchCache>();
  for (const type of [...CORE_RESOURCES, ...APPS_RESOURCES]) {
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
  const metrics = new ApiserverMetrics(name, () =>
    [...caches.values()].map((c) => [c.type.resource, c.objectCount]),
  );
  const coalescer = new Coalescer(opts.coalesceMs ?? 5);
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
      maxWatchBufferBytes: 64 * 1024 * 1024,
      maxWatchSeconds: opts.maxWatchSeconds ?? 1800,
    },
    nowMs: () => Date.now(),
    stampMicros: nowMicros,
  };
  try {
    await Promise.all([...caches.values()].map((c) => c.ready()));
  } catch (e: unknown) {
    store.close();
    throw new KosTestError({
      what: `kube front ${name} cannot reach ketcd`,
      value: opts.etcdEndpoints.join(','),
      fix: 'start ketcd first and pass its client URLs as etcdEndpoints',
      cause: e,
    });
  }
  const proxy = new NapiProxy({ backends: opts.napiServers, metrics, log });
  let serving = true;
  let serverAddress = `${host}:0`;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = frontRouteOf(url.pathname, CORE_RESOURCES, APPS_RESOURCES);
    try {
      switch (route.kind) {
        case 'core':
        case 'apps':
          await serveResource(ctx, route.route, { req, res, url, started, log });
          return;
        case 'scale':
          await serveScale(ctx, req, res, route);
          return;
        case 'aggregated':
          await proxy.handle(req, res, url);
          return;
        default:
          await serveOther(route, req, res, {
            component: name,
            serverAddress,
            isReady: () => serving,
            metrics,
          });
      }
    } catch (e: unknown) {
      sendFailure(req, res, e, log);
    }
  };
  const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  try {
    await listen(server, host, opts.port ?? 0, name);
  } catch (e: unknown) {
    await Promise.all([...caches.values()].map((c) => c.stop()));
    await proxy.close();
    store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${host}:${port}`;
  const url = `http://${serverAddress}`;
  const compaction = scheduleCompaction(store, opts.compactionIntervalMs ?? 300_000, log);
  let stopping: Promise<void> | undefined;
  return {
    name,
    url,
    endpoints: { api: url, metrics: `${url}/metrics` },
    get napiServers() {
      return proxy.backendUrls;
    },
    setNapiServers: (urls) => {
      proxy.setBackends(urls);
    },
    metrics,
    stop: () => {
      stopping ??= (async () => {
        serving = false;
        if (compaction !== undefined) clearInterval(compaction);
        const closed = new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        await Promise.all([...caches.values()].map((c) => c.stop()));
        coalescer.stop();
        server.closeAllConnections();
        await proxy.close();
        await closed;
        store.close();
      })();
      return stopping;
    },
  };
}

function listen(server: Server, host: string, port: number, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new KosTestError({
          what: `kube front ${name} cannot listen`,
          value: `${host}:${port} (${e.code ?? e.message})`,
          fix: 'choose a free port, or stop what is using it',
        }),
      );
    });
    server.listen(port, host, resolve);
  });
}

interface OtherHooks {
  component: string;
  serverAddress: string;
  isReady(): boolean;
  metrics: ApiserverMetrics;
}

/** Discovery, version, health and metrics. */
async function serveOther(
  route: Exclude<FrontRoute, { kind: 'core' | 'apps' | 'scale' | 'aggregated' }>,
  req: IncomingMessage,
  res: ServerResponse,
  hooks: OtherHooks,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw apiErrors.methodNotAllowed(req.method ?? '');
  switch (route.kind) {
    case 'document':
      switch (route.which) {
        case 'api':
          sendJsonText(res, 200, apiVersions(hooks.serverAddress));
          return;
        case 'core':
          sendJsonText(res, 200, coreResourceList(CORE_RESOURCES));
          return;
        case 'apis':
          sendJsonText(res, 200, frontGroupList(true));
          return;
        case 'group':
          sendJsonText(res, 200, apiGroupDocument());
          return;
        case 'appsGroup':
          sendJsonText(res, 200, appsGroupDocument());
          return;
        case 'appsVersion':
          sendJsonText(res, 200, appsResourceList(APPS_RESOURCES));
          return;
      }
      return;
    case 'plain':
      switch (route.what) {
        case 'version':
          sendJsonText(res, 200, versionInfo(hooks.component));
          return;
        case 'healthz':
        case 'livez':
          sendText(res, 200, 'ok');
          return;
        case 'readyz':
          if (hooks.isReady()) sendText(res, 200, 'ok');
          else sendText(res, 503, '[-]shutdown failed: reason withheld\nreadyz check failed');
          return;
        case 'metrics':
          sendText(res, 200, await hooks.metrics.registry.metrics(), hooks.metrics.registry.contentType);
          return;
      }
      return;
    case 'unknown':
      throw apiErrors.pathNotFound();
  }
}

/** Compacts to the revision seen one interval ago, so history always spans at least one interval. */
function scheduleCompaction(
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
        // Another front compacting the same revision first is normal.
        if (!isCompactedError(e)) log(`compaction failed: ${String(e)}`);
      }
    })();
  }, intervalMs);
  timer.unref();
  return timer;
}
