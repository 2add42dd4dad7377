/**
 * kube-apiserver's aggregation, for the testbed: every request under
 * `/apis/network.example.com/<version>` goes to one of the network-apiservers, chosen round-robin
 * per request, over keep-alive undici pools: the Service in front of the replicas. Responses
 * stream through as they arrive (a watch flows event by event); the client closing ends the
 * backend request and the backend ending ends the client's response. A request whose backend
 * refuses the connection is sent to the next one (nothing was sent yet; ADR 0028), and that
 * backend is passed over for a moment, as a Service drops an endpoint that is not ready; a GET
 * is also retried after other errors. No backend left is a 503 Status. A request body is read
 * whole first (within the body limit): streamed, a body the backend answered before reading (a
 * 405, a 415) left its pooled connection out of step, and the next request on it hung. Whole, it
 * can also go to the next backend.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool, type Dispatcher } from 'undici';
import { ApiError, apiErrors } from '../../api/status.js';
import type { ApiserverMetrics, RequestLabels } from '../napi/apiserver-metrics.js';
import { readBody, sendError } from '../napi/http-io.js';
import { routeOf } from '../napi/routes.js';
import { neverConnected } from '../../kube/rest-client.js';

/** Headers that belong to one connection, never forwarded (RFC 9110 7.6.1), plus host and expect. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
  'http2-settings',
]);

/** How long a backend that refused a connection is passed over (it is restarting, say). */
const REFUSED_PAUSE_MS = 1000;

/** How long a backend may take to answer with headers (kube-apiserver's default request timeout). */
const HEADERS_TIMEOUT_MS = 60_000;

export interface NapiProxyOptions {
  backends: readonly string[];
  /** Largest request body passed on (the front's own limit); larger ones get a 413 here. */
  maxBodyBytes: number;
  metrics: ApiserverMetrics;
  log: (message: string) => void;
}

interface Backend {
  url: string;
  pool: Pool;
  /** performance.now() until which the backend is tried last (it refused a connection). */
  refusedUntil: number;
}

type HeaderValue = string | string[] | undefined;

function forwardable(headers: Record<string, HeaderValue>): Record<string, string | string[]> {
  const connectionScoped = new Set<string>();
  const connection = headers.connection;
  for (const token of (Array.isArray(connection) ? connection.join(',') : (connection ?? '')).split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') connectionScoped.add(name);
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || connectionScoped.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The apiserver metrics labels of a proxied request, as kube-apiserver would file it. */
export function aggregatedLabels(method: string, url: URL): RequestLabels {
  const route = routeOf(url.pathname);
  const watch = url.searchParams.get('watch');
  const isWatch = watch === 'true' || watch === '1';
  if (route.kind !== 'resource') {
    return { verb: method, group: '', version: '', resource: '', subresource: '', scope: '' };
  }
  const named = route.name !== undefined;
  let verb = method;
  if (method === 'GET') verb = named ? 'GET' : isWatch ? 'WATCH' : 'LIST';
  else if (method === 'POST') verb = 'POST';
  else if (method === 'DELETE' && !named) verb = 'DELETECOLLECTION';
  return {
    verb,
    group: route.type.group,
    version: route.type.version,
    resource: route.type.resource,
    subresource: route.subresource ?? '',
    scope: named ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster',
  };
}

export class NapiProxy {
  private backends: Backend[] = [];
  private readonly retired = new Set<Pool>();
  private cursor = 0;
  private closed = false;

  constructor(private readonly opts: NapiProxyOptions) {
    this.setBackends(opts.backends);
  }

  get backendUrls(): string[] {
    return this.backends.map((b) => b.url);
  }

  /**
   * Replaces the backend list (the testbed scales NNA between runs). Pools of backends that stay
   * are kept; a dropped backend's pool finishes what it carries (its watches end when that
   * network-apiserver stops) and is then closed.
   */
  setBackends(urls: readonly string[]): void {
    if (this.closed) return;
    const keep = new Map(this.backends.map((b) => [b.url, b]));
    const next: Backend[] = [];
    for (const raw of urls) {
      const url = new URL(raw).origin;
      if (next.some((b) => b.url === url)) continue;
      next.push(
        keep.get(url) ?? {
          url,
          refusedUntil: 0,
          pool: new Pool(url, {
            keepAliveTimeout: 60_000,
            pipelining: 1,
            headersTimeout: HEADERS_TIMEOUT_MS,
            // Watches are long and quiet at times; the backend ends them, not a body timeout.
            bodyTimeout: 0,
          }),
        },
      );
    }
    for (const old of this.backends) {
      if (next.includes(old)) continue;
      this.retired.add(old.pool);
      void old.pool
        .close()
        .catch(() => undefined)
        .finally(() => this.retired.delete(old.pool));
    }
    this.backends = next;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const started = performance.now();
    const labels = aggregatedLabels(method, url);
    if (labels.verb === 'WATCH') {
      this.opts.metrics.observe(labels, 200, 0);
      res.on('close', this.opts.metrics.watchStarted(labels));
    } else {
      res.on('finish', () => {
        this.opts.metrics.observe(labels, res.statusCode, (performance.now() - started) / 1000);
      });
    }
    const backends = this.backends;
    if (backends.length === 0) {
      sendError(res, apiErrors.unavailable('no network-apiserver is configured for network.example.com'));
      return;
    }
    const abort = new AbortController();
    res.on('close', () => {
      abort.abort();
    });
    const idempotent = method === 'GET' || method === 'HEAD';
    const first = this.cursor++ % backends.length;
    if (this.cursor >= backends.length) this.cursor = 0;
    const headers = forwardable(req.headers);
    let body: Buffer | undefined;
    try {
      body = !idempotent && hasBody(req.headers) ? await readBody(req, this.opts.maxBodyBytes) : undefined;
    } catch (e: unknown) {
      if (e instanceof ApiError) sendError(res, e);
      else res.destroy();
      return;
    }
    if (body === undefined) req.resume();
    else {
      // Sent with its length now known, whatever framing the client used.
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    let lastError: unknown;
    const now = performance.now();
    const order = backends
      .map((_, i) => backends[(first + i) % backends.length] as Backend)
      .sort((a, b) => Number(a.refusedUntil > now) - Number(b.refusedUntil > now));
    for (const backend of order) {
      let upstream: Dispatcher.ResponseData;
      try {
        upstream = await backend.pool.request({
          method,
          path: req.url ?? '/',
          headers,
          body,
          signal: abort.signal,
        });
      } catch (e: unknown) {
        if (abort.signal.aborted) return;
        lastError = e;
        this.opts.log(
          `${backend.url}: ${method} ${url.pathname}: ${e instanceof Error ? e.message : String(e)}`,
        );
        if (neverConnected(e)) backend.refusedUntil = performance.now() + REFUSED_PAUSE_MS;
        if (idempotent || neverConnected(e)) continue;
        break;
      }
      await this.relay(upstream, res, method);
      return;
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    sendError(res, apiErrors.unavailable(`error trying to reach service: ${why}`));
  }

  /** Streams the backend's answer to the client, chunk by chunk, until either side ends. */
  private async relay(upstream: Dispatcher.ResponseData, res: ServerResponse, method: string): Promise<void> {
    res.writeHead(upstream.statusCode, forwardable(upstream.headers));
    if (method === 'HEAD') {
      upstream.body.resume();
      res.end();
      return;
    }
    // Watches: the client sees the status and headers now, not with the first event.
    res.flushHeaders();
    try {
      await pipeline(upstream.body, res);
    } catch {
      // One side went away; pipeline has already destroyed the other.
    }
  }

  /** Closes every backend connection, ending proxied watches. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.backends.map((b) => b.pool), ...this.retired];
    this.backends = [];
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
