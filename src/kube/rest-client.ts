/**
 * A keep-alive Kubernetes REST client for the testbed's own components and the driver's hot
 * path. @kubernetes/client-node opens a new connection per request (machine-facts.md), which a
 * thousand hollow agents cannot afford; this one holds a small undici pool per apiserver, can
 * bind a local loopback address (so a hollow node's traffic comes from its own IP), and streams
 * watches as parsed events.
 */
import { Client, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { KosObject, ObjectList } from '../api/meta.js';
import { apiPath, type ResourceRef } from './api-path.js';
import { KubeApiError, statusFromBody } from './kube-api-error.js';
import { LeanHttp } from './lean-http.js';
import { leanWatch } from './lean-watch.js';
import { parseWatchEvent, readWatchEvents, type WatchEvent, type WatchEventDecoder } from './watch-events.js';

export interface RestClientOptions {
  /** e.g. http://127.2.0.1:43117 */
  server: string;
  /** Bind outgoing sockets to this loopback address. */
  localAddress?: string;
  /** Pooled connections for ordinary requests. @default 2 */
  connections?: number;
  userAgent?: string;
  /** Per-request timeout for non-watch requests. @default 30000 */
  requestTimeoutMs?: number;
  /** TLS for https servers (from a kubeconfig: see kubeconfig-client.ts). */
  tls?: RestClientTls;
  /** Extra headers on every request, e.g. Authorization. */
  headers?: Record<string, string>;
  /** Credentials that expire (exec plugins, token files), re-read while the client lives. */
  credentials?: CredentialSource;
  /** How watch lines become events, e.g. one SharedEventDecoder per process. @default JSON.parse */
  decodeWatchEvent?: WatchEventDecoder;
  /**
   * Read watches straight off their sockets (lean-watch.ts) rather than through undici: for
   * processes holding thousands of watches. Plain-HTTP servers only; others keep undici. @default false
   */
  leanWatches?: boolean;
  /**
   * Send ordinary requests (get, list, create, update, ...) through lean-http.ts rather than
   * undici: the same requests on the same `connections` keep-alive connections, for processes of
   * thousands of clients, where undici's per-request streams and promise layers cost more than the
   * request. Plain-HTTP servers only; others keep undici. @default false
   */
  leanRequests?: boolean;
}

/** The reason a lean watch is ended with: made once, as an abort's own error costs a stack trace. */
const WATCH_ENDED = new Error('watch ended');

export interface CredentialSource {
  /** The credential headers as of now (e.g. a fresh Authorization). */
  read: () => Promise<Record<string, string>>;
  /** How often to re-read them; a 401 answer also triggers a re-read. */
  everyMs: number;
}

export interface RestClientTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

const WATCH_HEADERS_TIMEOUT_MS = 30_000;

/** A JSON request body: an object or a JSON patch's array of operations. */
type Body = object;

export class RestClient {
  readonly server: string;
  private readonly pool: Pool | Client;
  private readonly watchOptions: Client.Options;
  /** Open watches: each has its own connection, as client-go's do over HTTP/1.1. */
  private readonly watches = new Set<Client>();
  /** Open lean watches, ended by close() as the undici ones are. */
  private readonly leanWatchEnds = new Set<AbortController>();
  private headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly credentials: CredentialSource | undefined;
  private credentialTimer: NodeJS.Timeout | undefined;
  private credentialRead: Promise<void> | undefined;
  private readonly opts: RestClientOptions;
  private lean: LeanHttp | undefined;
  /** Ordinary requests when `leanRequests` (keeps whole bodies, unlike the driver's sender()). */
  private readonly leanRequests: LeanHttp | undefined;

  constructor(opts: RestClientOptions) {
    this.opts = opts;
    this.server = opts.server;
    const common = {
      keepAliveTimeout: 60_000,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
      ...(opts.tls === undefined ? {} : { connect: { ...opts.tls } }),
    };
    const connections = opts.connections ?? 2;
    // A single Client is a fraction of a Pool's memory, which counts at 1,800 hollow agents.
    this.pool =
      connections === 1
        ? new Client(opts.server, { ...common, pipelining: 1 })
        : new Pool(opts.server, { ...common, connections, pipelining: 1 });
    this.watchOptions = {
      ...common,
      pipelining: 0,
      bodyTimeout: 0,
      headersTimeout: WATCH_HEADERS_TIMEOUT_MS,
    };
    this.headers = {
      ...opts.headers,
      'user-agent': opts.userAgent ?? 'kos-test',
      accept: 'application/json',
    };
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.leanRequests =
      opts.leanRequests === true && opts.server.startsWith('http:')
        ? new LeanHttp({
            server: opts.server,
            connections,
            headers: this.headers,
            onUnauthorized: () => void this.refreshCredentials(),
            ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
            timeoutMs: this.timeoutMs,
            keepBodies: true,
          })
        : undefined;
    this.credentials = opts.credentials;
    if (this.credentials !== undefined) {
      this.credentialTimer = setInterval(() => void this.refreshCredentials(), this.credentials.everyMs);
      this.credentialTimer.unref();
    }
  }

  /**
   * Re-reads the credentials (one read at a time) and uses them for the requests that follow; a
   * failed read keeps the old ones, so the requests' own answers show what went wrong.
   */
  refreshCredentials(): Promise<void> {
    const source = this.credentials;
    if (source === undefined) return Promise.resolve();
    this.credentialRead ??= source
      .read()
      .then(
        (fresh) => {
          this.headers = { ...this.headers, ...fresh };
          this.lean?.setHeaders(this.headers);
          this.leanRequests?.setHeaders(this.headers);
        },
        () => undefined,
      )
      .finally(() => {
        this.credentialRead = undefined;
      });
    return this.credentialRead;
  }

  get<T = KosObject>(ref: ResourceRef): Promise<T> {
    return this.request<T>('GET', apiPath(ref));
  }

  list<T = KosObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>('GET', apiPath(ref, { ...opts }));
  }

  /** Lists every page, following `continue`. */
  async listAll<T = KosObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const first = await this.list<T>(ref, { ...opts, limit: opts.limit ?? 500 });
    let next = first.metadata.continue;
    while (next !== undefined && next !== '') {
      const page = await this.list<T>(ref, { ...opts, limit: opts.limit ?? 500, continue: next });
      first.items.push(...page.items);
      next = page.metadata.continue;
    }
    delete first.metadata.continue;
    return first;
  }

  create<T = KosObject>(ref: ResourceRef, obj: Body): Promise<T> {
    return this.request<T>('POST', apiPath({ ...ref, name: undefined }), obj);
  }

  /** PUT: the object's metadata.resourceVersion makes it conditional (409 when stale). */
  update<T = KosObject>(ref: ResourceRef, obj: Body): Promise<T> {
    return this.request<T>('PUT', apiPath(ref), obj);
  }

  patch<T = KosObject>(ref: ResourceRef, patch: Body, type: 'merge' | 'json' = 'merge'): Promise<T> {
    const contentType = type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json';
    return this.request<T>('PATCH', apiPath(ref), patch, contentType);
  }

  delete(
    ref: ResourceRef,
    preconditions?: { uid?: string; resourceVersion?: string },
  ): Promise<Record<string, unknown>> {
    const body =
      preconditions === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', preconditions };
    return this.request('DELETE', apiPath(ref), body);
  }

  /**
   * Opens a watch and calls `onEvent` for each event until the server ends the stream (resolves),
   * the signal aborts (resolves), or the connection fails (rejects). An HTTP error before the
   * stream starts rejects with KubeApiError.
   */
  async watch(
    ref: ResourceRef,
    opts: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const path = apiPath({ ...ref, name: undefined }, { ...opts, watch: true });
    if (this.opts.leanWatches === true && this.server.startsWith('http:'))
      return this.leanWatch(path, onEvent, signal);
    const connection = new Client(this.server, this.watchOptions);
    this.watches.add(connection);
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await connection.request({
          method: 'GET',
          path,
          headers: this.headers,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (e: unknown) {
        if (signal?.aborted === true) return;
        throw e;
      }
      if (res.statusCode !== 200) {
        if (res.statusCode === 401) void this.refreshCredentials();
        const text = await res.body.text();
        throw new KubeApiError(res.statusCode, statusFromBody(text), `GET ${path}`);
      }
      try {
        await readWatchEvents(res.body, onEvent, this.opts.decodeWatchEvent);
      } catch (e: unknown) {
        if (signal?.aborted === true) return;
        throw e;
      }
    } finally {
      this.watches.delete(connection);
      await connection.destroy();
    }
  }

  private async leanWatch(
    path: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const decode = this.opts.decodeWatchEvent ?? parseWatchEvent;
    const ends = new AbortController();
    const onAbort = (): void => {
      ends.abort(WATCH_ENDED);
    };
    if (signal?.aborted === true) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.leanWatchEnds.add(ends);
    let end;
    try {
      end = await leanWatch({
        server: this.server,
        ...(this.opts.localAddress === undefined ? {} : { localAddress: this.opts.localAddress }),
        path,
        headers: this.headers,
        headersTimeoutMs: WATCH_HEADERS_TIMEOUT_MS,
        signal: ends.signal,
        onLine: (line) => {
          onEvent(decode(line));
        },
      });
    } finally {
      this.leanWatchEnds.delete(ends);
      signal?.removeEventListener('abort', onAbort);
    }
    if (end.status === 200) return;
    if (end.status === 401) void this.refreshCredentials();
    throw new KubeApiError(end.status, statusFromBody(end.body), `GET ${path}`);
  }

  async request<T>(method: string, path: string, body?: Body, contentType = 'application/json'): Promise<T> {
    if (this.leanRequests !== undefined) {
      const r = await this.leanRequests.exchange(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        contentType,
      );
      return answerBody(r.body, r.contentType) as T;
    }
    const res = await this.pool.request({
      method,
      path,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode === 401) void this.refreshCredentials();
    if (res.statusCode >= 300)
      throw new KubeApiError(res.statusCode, statusFromBody(text), `${method} ${path}`);
    const type = res.headers['content-type'];
    return answerBody(text, typeof type === 'string' ? type : undefined) as T;
  }

  /**
   * The driver's hot path to the same server, with the same headers, TLS and connection count:
   * sends prepared JSON text and answers with the status only (lean-http.ts). Made on first use.
   */
  sender(): LeanHttp {
    this.lean ??= new LeanHttp({
      server: this.opts.server,
      connections: this.opts.connections ?? 2,
      headers: this.headers,
      onUnauthorized: () => void this.refreshCredentials(),
      ...(this.opts.tls === undefined ? {} : { tls: { ...this.opts.tls } }),
      ...(this.opts.localAddress === undefined ? {} : { localAddress: this.opts.localAddress }),
      timeoutMs: this.timeoutMs,
    });
    return this.lean;
  }

  async close(): Promise<void> {
    clearInterval(this.credentialTimer);
    this.lean?.close();
    this.leanRequests?.close();
    for (const ends of this.leanWatchEnds) ends.abort(WATCH_ENDED);
    await Promise.all([this.pool.destroy(), ...[...this.watches].map((c) => c.destroy())]);
  }
}

/** A 2xx answer's body: {} when empty, text from health and metrics endpoints, else parsed JSON. */
function answerBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return {};
  return contentType !== undefined && !contentType.includes('json') ? text : JSON.parse(text);
}
