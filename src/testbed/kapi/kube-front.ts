/**
 * The testbed's kube front (a `kapi` node; NKA of them): what the driver and tools reach as "the
 * Kubernetes apiserver". It stores the core kinds they need (nodes, namespaces) in its own etcd
 * (ketcd), and the apps/v1 workload objects the testbed emulates (ADR 0017), with the network-apiserver's machinery (etcd store, watch caches, handlers), and
 * aggregates `network.example.com` by proxying to the network-apiservers, as kube-apiserver does
 * for an APIService. Several fronts on one ketcd agree on objects and versions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APPS_RESOURCES } from '../../api/apps/apps-resources.js';
import { CORE_RESOURCES, pods } from '../../api/core/core-resources.js';
import { KOS_RESOURCES } from '../../api/resource-types.js';
import { apiErrors } from '../../api/status.js';
import type { ApiContext } from '../napi/api-context.js';
import {
  listenApi,
  openApiStorage,
  scheduleCompaction,
  servePlain,
  shutDownApi,
} from '../napi/api-server-core.js';
import type { ApiserverMetrics } from '../napi/apiserver-metrics.js';
import { apiGroupDocument } from '../napi/discovery.js';
import { sendJsonText } from '../napi/http-io.js';
import { OpenApiDocuments } from '../napi/openapi-handler.js';
import { sendFailure, serveResource } from '../napi/request-router.js';
import { appsGroupDocument, appsResourceList, frontGroupList } from './apps-discovery.js';
import { apiVersions, coreResourceList } from './core-discovery.js';
import { frontRouteOf, type FrontRoute } from './front-routes.js';
import { serveAccessReview } from './access-review.js';
import { extraGroupDocument, extraResourceList } from './extra-groups.js';
import { NapiProxy } from './napi-proxy.js';
import { nodeMetricsJson, podMetricsJson, ResourceMetricsSource } from './resource-metrics.js';
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
  /** To send a request's headers (slow clients are cut off). @default 32000 */
  headersTimeoutMs?: number;
  /** To send a whole request. @default 60000 */
  requestTimeoutMs?: number;
  /** The testbed cost exporter's /metrics URL, read for metrics.k8s.io; none: `kubectl top` gets 503. */
  costExporter?: string;
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
  const storage = await openApiStorage({
    ...opts,
    resources: [...CORE_RESOURCES, ...APPS_RESOURCES],
    namespaces: 'own',
    unreachable: {
      what: `kube front ${name} cannot reach ketcd`,
      fix: 'start ketcd first and pass its client URLs as etcdEndpoints',
    },
    log,
  });
  const { ctx, metrics } = storage;
  const openApi = new OpenApiDocuments([...CORE_RESOURCES, ...APPS_RESOURCES, ...KOS_RESOURCES]);
  const metricsSource =
    opts.costExporter === undefined ? undefined : new ResourceMetricsSource(opts.costExporter);
  const proxy = new NapiProxy({
    backends: opts.napiServers,
    maxBodyBytes: ctx.limits.maxBodyBytes,
    metrics,
    log,
  });
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
        case 'accessReview':
          await serveAccessReview(req, res, ctx.limits.maxBodyBytes);
          return;
        case 'resourceMetrics':
          await serveResourceMetrics(route, req, res, metricsSource, ctx);
          return;
        default:
          await serveOther(route, req, res, {
            component: name,
            serverAddress,
            isReady: () => serving,
            metrics,
            openApi,
          });
      }
    } catch (e: unknown) {
      sendFailure(req, res, e, log);
    }
  };
  let listening: Awaited<ReturnType<typeof listenApi>>;
  try {
    listening = await listenApi(handle, { what: `kube front ${name}`, host, port: opts.port ?? 0 }, opts);
  } catch (e: unknown) {
    await storage.endWatches();
    await proxy.close();
    storage.closeStore();
    throw e;
  }
  const { server, port } = listening;
  serverAddress = `${host}:${port}`;
  const url = `http://${serverAddress}`;
  const compaction = scheduleCompaction(storage.store, opts.compactionIntervalMs ?? 300_000, log);
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
        await shutDownApi(server, storage, () => proxy.close());
      })();
      return stopping;
    },
  };
}

interface OtherHooks {
  component: string;
  serverAddress: string;
  isReady(): boolean;
  metrics: ApiserverMetrics;
  openApi: OpenApiDocuments;
}

/** Discovery, version, health and metrics. */
async function serveOther(
  route: Exclude<
    FrontRoute,
    { kind: 'core' | 'apps' | 'scale' | 'aggregated' | 'accessReview' | 'resourceMetrics' }
  >,
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
      await servePlain(route.what, res, { ...hooks, notReady: '[-]shutdown failed: reason withheld' });
      return;
    case 'extraGroup':
      sendJsonText(res, 200, extraGroupDocument(route.group));
      return;
    case 'extraVersion':
      sendJsonText(res, 200, extraResourceList(route.group));
      return;
    case 'openapiV2':
    case 'openapi':
      hooks.openApi.serve(route, req, res);
      return;
    case 'unknown':
      throw apiErrors.pathNotFound();
  }
}

/** NodeMetrics and PodMetrics (pods from the watch cache: the testbed's own workload pods). */
async function serveResourceMetrics(
  route: Extract<FrontRoute, { kind: 'resourceMetrics' }>,
  req: IncomingMessage,
  res: ServerResponse,
  source: ResourceMetricsSource | undefined,
  ctx: ApiContext,
): Promise<void> {
  if (req.method !== 'GET') throw apiErrors.methodNotAllowed(req.method ?? '');
  if (source === undefined)
    throw apiErrors.unavailable('no cost exporter: this kube front serves no metrics');
  const window = await source.current();
  if (route.resource === 'nodes') {
    sendJsonText(res, 200, nodeMetricsJson(window, route.name));
    return;
  }
  const cache = ctx.cacheOf(pods);
  await cache.ready();
  const list = cache
    .snapshot((e) => route.namespace === undefined || e.namespace === route.namespace)
    .entries.map((e) => e.obj);
  sendJsonText(res, 200, podMetricsJson(window, list, route.name));
}
