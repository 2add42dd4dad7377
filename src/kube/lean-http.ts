/**
 * The driver's hot path: a minimal HTTP/1.1 keep-alive client that sends a prepared JSON body
 * and answers with the status only (the body is kept only for an error's message). undici's
 * request API costs about twice its CPU per request here, most of it in streams and promise
 * layers the driver never uses, and its larger code takes the JIT a second to warm up in every
 * run (ADR 0007). Everything else (lists, watches, setup) stays on undici (rest-client.ts).
 * One request per connection at a time (no pipelining); a connection that errs or is closed by
 * the server fails only its own request (creates are not retried: the driver counts them).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { KubeApiError, statusFromBody } from './kube-api-error.js';
import { ResponseParser, type ParsedResponse } from './lean-http-parser.js';

export interface LeanHttpOptions {
  /** http(s)://host:port */
  server: string;
  /** Most connections open at once. */
  connections: number;
  /** Sent on every request (user-agent, authorization, ...); setHeaders() replaces them. */
  headers: Record<string, string>;
  /** Told of a 401 answer (credentials may have expired: rest-client.ts re-reads them). */
  onUnauthorized?: () => void;
  /** Connection options for https (ca, cert, key, rejectUnauthorized, servername). */
  tls?: Record<string, unknown>;
  localAddress?: string;
  /** A request unanswered this long fails and its connection is closed. */
  timeoutMs: number;
  /** Keep every answer's body, for exchange() (lean-http-parser.ts). @default false: errors only */
  keepBodies?: boolean;
}

/** Idle connections older than this are closed rather than reused (unless the server says less). */
const MAX_IDLE_MS = 30_000;

interface Pending {
  /** The whole request; emptied once written. */
  text: string;
  method: string;
  path: string;
  resolve: (r: ParsedResponse) => void;
  reject: (e: Error) => void;
}

class Connection {
  readonly parser: ResponseParser;
  current: Pending | undefined;
  startedMs = 0;
  idleSinceMs = 0;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly owner: LeanHttp,
    keepBodies: boolean,
  ) {
    this.parser = new ResponseParser(keepBodies);
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.onData(d);
    });
    socket.on('error', (e: Error) => {
      this.fail(e);
    });
    socket.on('close', () => {
      // A body that runs until close ends here; anything else in flight has failed.
      const r = this.current === undefined ? undefined : this.parser.end();
      if (r !== undefined) this.complete(r);
      else this.fail(new Error('the server closed the connection'));
    });
  }

  send(p: Pending, now: number): void {
    this.current = p;
    this.startedMs = now;
    this.socket.write(p.text);
    // The socket has its own copy now; an answer can take long enough for the text to be
    // promoted to the old generation, which makes every scavenge (and the pacer) slower.
    p.text = '';
  }

  private onData(d: Buffer): void {
    const p = this.current;
    if (p === undefined) {
      // Nothing was asked: the server is confused; do not read on this connection.
      this.fail(new Error('an answer nobody asked for'));
      return;
    }
    let r;
    try {
      r = this.parser.push(d);
    } catch (e: unknown) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (r !== undefined) this.complete(r);
  }

  private complete(r: ParsedResponse): void {
    const p = this.current;
    if (p === undefined) return;
    this.current = undefined;
    const reuse = !r.close && r.extra === 0;
    if (!reuse) this.close();
    if (r.status >= 300) {
      if (r.status === 401) this.owner.unauthorized();
      p.reject(new KubeApiError(r.status, statusFromBody(r.body), `${p.method} ${p.path}`));
    } else {
      p.resolve(r);
    }
    if (reuse) this.owner.released(this, r.keepAliveMs);
  }

  /** The request in flight (if any) fails; the connection is dropped. */
  fail(e: Error): void {
    const p = this.current;
    this.current = undefined;
    if (!this.closed) this.close();
    p?.reject(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.owner.dropped(this);
  }
}

export class LeanHttp {
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  /** `\r\nhost: ...\r\nheader: ...` up to the content length, built once per header set. */
  private fixedHeaders = '';
  /** Most recently used last: reuse keeps few connections warm. */
  private readonly idle: Connection[] = [];
  /** Waiting requests from `head` on (an index, not shift(): the queue can hold thousands). */
  private queue: Pending[] = [];
  private head = 0;
  private open = 0;
  private maxIdleMs = MAX_IDLE_MS;
  private readonly all = new Set<Connection>();
  private readonly sweep: NodeJS.Timeout;
  private destroyed = false;

  constructor(private readonly opts: LeanHttpOptions) {
    const url = new URL(opts.server);
    this.secure = url.protocol === 'https:';
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port === '' ? (this.secure ? 443 : 80) : url.port);
    this.setHeaders(opts.headers);
    // One timer for all requests' timeouts (a timer per request costs more than the request).
    this.sweep = setInterval(
      () => {
        this.expire();
      },
      Math.min(1000, opts.timeoutMs),
    );
    this.sweep.unref();
  }

  /** The headers of the requests sent from now on (e.g. a refreshed Authorization). */
  setHeaders(headers: Record<string, string>): void {
    let fixed = `\r\nhost: ${new URL(this.opts.server).host}`;
    for (const [k, v] of Object.entries(headers)) {
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`header ${k} holds a line break`);
      fixed += `\r\n${k}: ${v}`;
    }
    this.fixedHeaders = fixed;
  }

  /**
   * Sends `body` (JSON text) and resolves when a 2xx/1xx-free answer arrives; rejects with
   * KubeApiError for a status >= 300 (with the server's Status message) or with the transport error.
   */
  send(method: string, path: string, body?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue(
        method,
        path,
        body,
        'application/json',
        () => {
          resolve();
        },
        reject,
      );
    });
  }

  /**
   * Like send(), answering with the response: its whole body and content type when the client
   * keeps bodies (`keepBodies`), else only an error's.
   */
  exchange(
    method: string,
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<ParsedResponse> {
    return new Promise<ParsedResponse>((resolve, reject) => {
      this.enqueue(method, path, body, contentType, resolve, reject);
    });
  }

  private enqueue(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string,
    resolve: (r: ParsedResponse) => void,
    reject: (e: Error) => void,
  ): void {
    const head = `${method} ${path} HTTP/1.1${this.fixedHeaders}`;
    const text =
      body === undefined
        ? `${head}\r\ncontent-length: 0\r\n\r\n`
        : `${head}\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    if (this.destroyed) {
      reject(new Error('the client is closed'));
      return;
    }
    const p: Pending = { text, method, path, resolve, reject };
    const now = performance.now();
    const c = this.takeIdle(now);
    if (c !== undefined) c.send(p, now);
    else if (this.open < this.opts.connections) this.connect().send(p, now);
    else this.queue.push(p);
  }

  /**
   * Whether a request sent now would go out at once: nothing queued here, and a connection idle
   * or yet to open. A caller with its own (cheaper) queue sends only then (ops-executor.ts).
   */
  hasRoom(): boolean {
    return this.head >= this.queue.length && (this.idle.length > 0 || this.open < this.opts.connections);
  }

  private takeIdle(now: number): Connection | undefined {
    for (let c = this.idle.pop(); c !== undefined; c = this.idle.pop()) {
      if (now - c.idleSinceMs < this.maxIdleMs) return c;
      c.close();
    }
    return undefined;
  }

  private dequeue(): Pending | undefined {
    if (this.head >= this.queue.length) return undefined;
    const p = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  private connect(): Connection {
    this.open++;
    const base = {
      host: this.host,
      port: this.port,
      ...(this.opts.localAddress === undefined ? {} : { localAddress: this.opts.localAddress }),
    };
    const socket = this.secure
      ? tlsConnect({ ...this.opts.tls, ...base, ALPNProtocols: ['http/1.1'] })
      : netConnect(base);
    const c = new Connection(socket, this, this.opts.keepBodies === true);
    this.all.add(c);
    return c;
  }

  /** @internal A request was answered 401. */
  unauthorized(): void {
    this.opts.onUnauthorized?.();
  }

  /** @internal A connection finished its request and may take the next. */
  released(c: Connection, keepAliveMs: number | undefined): void {
    // Stop reusing a connection a second before the server's own idle limit would close it.
    if (keepAliveMs !== undefined) this.maxIdleMs = Math.min(MAX_IDLE_MS, keepAliveMs - 1000);
    const next = this.dequeue();
    const now = performance.now();
    if (next !== undefined) c.send(next, now);
    else {
      c.idleSinceMs = now;
      this.idle.push(c);
    }
  }

  /** @internal A connection is gone; a queued request gets a fresh one. */
  dropped(c: Connection): void {
    this.open--;
    this.all.delete(c);
    const at = this.idle.indexOf(c);
    if (at >= 0) this.idle.splice(at, 1);
    if (this.destroyed) return;
    const next = this.dequeue();
    if (next !== undefined) this.connect().send(next, performance.now());
  }

  private expire(): void {
    const now = performance.now();
    for (const c of [...this.all]) {
      if (c.current !== undefined && now - c.startedMs > this.opts.timeoutMs)
        c.fail(new Error(`no answer within ${this.opts.timeoutMs} ms`));
    }
  }

  /** Fails queued and in-flight requests and closes every connection. */
  close(): void {
    this.destroyed = true;
    clearInterval(this.sweep);
    const closed = new Error('the client is closed');
    const queued = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const p of queued) p.reject(closed);
    for (const c of [...this.all]) c.fail(closed);
  }
}
