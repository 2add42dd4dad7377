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
  /**
   * Other endpoints of the same service (the other network-apiserver replicas): a request or
   * watch whose connection is refused moves the client to the next one (ADR 0028). The driver's
   * sender() stays on `server`.
   */
  alternates?: readonly string[];
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

/** Errors that mean the request never reached a server: safe to send again elsewhere. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function neverConnected(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_CONNECTED.has(code);
}

export class RestClient {
  readonly server: string;
  /** `server` and its alternates; requests go to servers[current]. */
  private readonly servers: readonly string[];
  private current = 0;
  private readonly pools = new Map<string, Pool | Client>();
  private readonly poolOptions: Pool.Options;
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
  /** Ordinary requests per server when `leanRequests` (keeps whole bodies, unlike the driver's sender()). */
  private readonly leanRequests = new Map<string, LeanHttp>();

  constructor(opts: RestClientOptions) {
    this.opts = opts;
    this.server = opts.server;
    const common = {
      keepAliveTimeout: 60_000,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
      ...(opts.tls === undefined ? {} : { connect: { ...opts.tls } }),
    };
    this.servers = [opts.server, ...(opts.alternates ?? []).filter((s) => s !== opts.server)];
    this.poolOptions = { ...common, connections: opts.connections ?? 2, pipelining: 1 };
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
          for (const lean of this.leanRequests.values()) lean.setHeaders(this.headers);
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
    const server = this.currentServer;
    if (this.opts.leanWatches === true && server.startsWith('http:'))
      return this.leanWatch(server, path, onEvent, signal);
    const connection = new Client(server, this.watchOptions);
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
        // The watcher's next try (after its back-off) goes to the next endpoint.
        if (neverConnected(e)) this.failOver(server);
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
    server: string,
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
        server,
        ...(this.opts.localAddress === undefined ? {} : { localAddress: this.opts.localAddress }),
        path,
        headers: this.headers,
        headersTimeoutMs: WATCH_HEADERS_TIMEOUT_MS,
        signal: ends.signal,
        onLine: (line) => {
          onEvent(decode(line));
        },
      });
    } catch (e: unknown) {
      if (neverConnected(e)) this.failOver(server);
      throw e;
    } finally {
      this.leanWatchEnds.delete(ends);
      signal?.removeEventListener('abort', onAbort);
    }
    if (end.status === 200) return;
    if (end.status === 401) void this.refreshCredentials();
    throw new KubeApiError(end.status, statusFromBody(end.body), `GET ${path}`);
  }

  /** The server requests go to now (the first of the service's endpoints that took a connection). */
  get currentServer(): string {
    return this.servers[this.current] ?? this.server;
  }

  /** The keep-alive pool to `server`, made on first use. */
  private poolOf(server: string): Pool | Client {
    let pool = this.pools.get(server);
    if (pool === undefined) {
      // A single Client is a fraction of a Pool's memory, which counts at 1,800 hollow agents.
      const { connections, ...common } = this.poolOptions;
      pool = connections === 1 ? new Client(server, common) : new Pool(server, this.poolOptions);
      this.pools.set(server, pool);
    }
    return pool;
  }

  /** `server` refused a connection: later requests go to the next endpoint, if there is one. */
  private failOver(server: string): void {
    if (this.servers[this.current] === server) this.current = (this.current + 1) % this.servers.length;
  }

  /** The lean requests to `server`, made on first use. */
  private leanOf(server: string): LeanHttp {
    let lean = this.leanRequests.get(server);
    if (lean === undefined) {
      lean = new LeanHttp({
        server,
        connections: this.poolOptions.connections ?? 2,
        headers: this.headers,
        onUnauthorized: () => void this.refreshCredentials(),
        ...(this.opts.localAddress === undefined ? {} : { localAddress: this.opts.localAddress }),
        timeoutMs: this.timeoutMs,
        keepBodies: true,
      });
      this.leanRequests.set(server, lean);
    }
    return lean;
  }

  private send(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    return this.viaCurrent((server) => this.poolOf(server).request(options));
  }

  /** Runs `call` on the current endpoint; one that refuses the connection is left for the next. */
  private async viaCurrent<T>(call: (server: string) => Promise<T>): Promise<T> {
    for (let tried = 1; ; tried++) {
      const server = this.currentServer;
      try {
        return await call(server);
      } catch (e: unknown) {
        if (!neverConnected(e) || this.servers.length === 1) throw e;
        this.failOver(server);
        if (tried >= this.servers.length) throw e;
      }
    }
  }

  async request<T>(method: string, path: string, body?: Body, contentType = 'application/json'): Promise<T> {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    if (this.opts.leanRequests === true && this.server.startsWith('http:')) {
      const r = await this.viaCurrent((server) =>
        this.leanOf(server).exchange(method, path, sent, contentType),
      );
      return answerBody(r.body, r.contentType) as T;
    }
    const res = await this.send({
      method,
      path,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': contentType },
      ...(sent === undefined ? {} : { body: sent }),
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
    for (const lean of this.leanRequests.values()) lean.close();
    for (const ends of this.leanWatchEnds) ends.abort(WATCH_ENDED);
    await Promise.all([...this.pools.values(), ...this.watches].map((c) => c.destroy()));
  }
}

/** A 2xx answer's body: {} when empty, text from health and metrics endpoints, else parsed JSON. */
function answerBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return {};
  return contentType !== undefined && !contentType.includes('json') ? text : JSON.parse(text);
}
