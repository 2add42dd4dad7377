/**
 * Unary gRPC calls over one node:http2 session per client, without grpc-js: the apiservers make
 * a few kinds of small etcd calls thousands of times a second, and grpc-js's call machinery
 * (interceptors, channel and subchannel layers, protobufjs, retry policies) cost more napi CPU
 * than the request itself (see docs/adr/0014-napi-write-path.md). Framing: a 5-byte prefix
 * (uncompressed flag, big-endian length) per message; the status comes in `grpc-status`.
 *
 * Failover as etcd's clientv3 does it (docs/adr/0036-etcd-client-failover.md): a member whose
 * connection fails is left at once for the next healthy one, kept out for a back-off and probed;
 * a call is sent again when it is idempotent or when etcd certainly did not apply it.
 */
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { EndpointHealth } from './endpoint-health.js';
import { leanRequest } from './lean-request.js';

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** etcd certainly did not apply the request: it was never sent, refused, or dropped. */
    readonly notApplied = false,
  ) {
    super(message);
  }
}

/** gRPC UNAVAILABLE: raised here too for connection failures, so callers can tell them apart. */
export const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/**
 * etcd's refusals made before a request is proposed to raft (rpctypes and raft's dropped
 * proposal): nothing was applied. Its timeouts ("request timed out") and "server stopped" come
 * after the proposal, so their outcome is unknown.
 */
const REFUSED_BEFORE_PROPOSAL = /no leader|not capable|unhealthy cluster|too many requests|proposal dropped/;

/** The pause between tries when no member can take the call now, doubling up to the cap. */
const FIRST_RETRY_PAUSE_MS = 50;
const MAX_RETRY_PAUSE_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;

export interface GrpcUnaryOptions {
  /** e.g. ['http://127.1.0.1:2379']; calls go to one, moving on when its connection fails. */
  endpoints: readonly string[];
  /** Longest time one call may take, retries included. @default 30000 */
  callTimeoutMs?: number;
}

/** A session and whether it ever connected: a request on one that never did was never sent. */
interface Connection {
  session: http2.ClientHttp2Session;
  endpoint: number;
  connected: boolean;
  /** Calls under way on it; it holds the process open only while there are some. */
  inFlight: number;
}

export class GrpcUnaryClient {
  private readonly endpoints: readonly string[];
  private readonly timeoutMs: number;
  private readonly health: EndpointHealth;
  private readonly probes = new Map<number, NodeJS.Timeout>();
  private current: number;
  private conn: Connection | undefined;
  private closed = false;

  constructor(opts: GrpcUnaryOptions) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints');
    this.endpoints = opts.endpoints;
    this.timeoutMs = opts.callTimeoutMs ?? 30_000;
    this.health = new EndpointHealth({ count: opts.endpoints.length });
    // Like etcd3's client: start on a random member so several apiservers spread out.
    this.current = Math.floor(Math.random() * opts.endpoints.length);
  }

  /** The member calls go to now (or will connect to next). */
  get endpointUrl(): string {
    return this.endpoints[this.current] ?? '';
  }

  private connect(): Connection {
    if (this.closed) throw new GrpcError(UNAVAILABLE, 'etcd client is closed');
    const live = this.conn;
    if (live !== undefined && !live.session.closed && !live.session.destroyed) return live;
    const endpoint = this.current;
    const session = http2.connect(this.endpoints[endpoint] ?? '');
    const conn: Connection = { session, endpoint, connected: false, inFlight: 0 };
    session.once('connect', () => {
      conn.connected = true;
      this.health.markUp(endpoint);
    });
    // Refused, reset, GOAWAY or closed under us: the member is gone or going; leave it at once.
    const lost = (): void => {
      this.lose(conn);
    };
    session.on('error', lost);
    session.on('goaway', lost);
    session.on('close', lost);
    session.unref(); // an idle etcd connection must not keep a process alive (see attempt())
    this.conn = conn;
    return conn;
  }

  private lose(conn: Connection): void {
    if (this.conn !== conn || this.closed) return;
    this.conn = undefined;
    const now = Date.now();
    this.probeAt(conn.endpoint, this.health.markDown(conn.endpoint, now));
    this.current = this.health.next(conn.endpoint, now);
  }

  /** When its back-off ends, a member is probed with a connection: accepted, it is healthy again. */
  private probeAt(endpoint: number, at: number): void {
    if (this.closed || this.probes.has(endpoint)) return;
    const timer = setTimeout(
      () => {
        this.probes.delete(endpoint);
        if (this.closed) return;
        const probe = http2.connect(this.endpoints[endpoint] ?? '');
        const fail = (): void => {
          probe.destroy();
          this.probeAt(endpoint, this.health.markDown(endpoint, Date.now()));
        };
        const giveUp = setTimeout(fail, PROBE_TIMEOUT_MS).unref();
        probe.once('connect', () => {
          clearTimeout(giveUp);
          this.health.markUp(endpoint);
          probe.close();
        });
        probe.on('error', () => {
          clearTimeout(giveUp);
          fail();
        });
        probe.unref();
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.probes.set(endpoint, timer);
  }

  /**
   * Sends one request message to `path` (e.g. `/etcdserverpb.KV/Range`) and returns the reply.
   * It is sent again, on the next healthy member, if it failed for want of a member and is
   * `idempotent`, or if etcd certainly did not apply it; otherwise the error is the caller's.
   */
  async call(path: string, message: Buffer, idempotent: boolean): Promise<Buffer> {
    const deadline = Date.now() + this.timeoutMs;
    let pause = FIRST_RETRY_PAUSE_MS;
    for (;;) {
      try {
        return await this.attempt(path, message, deadline);
      } catch (e: unknown) {
        const retry =
          e instanceof GrpcError && !this.closed && (e.notApplied || (idempotent && e.code === UNAVAILABLE));
        if (!retry) throw e;
        // A healthy member to move to is tried at once; otherwise wait for a member or a leader.
        const now = Date.now();
        const wait = this.conn === undefined && !this.health.isDown(this.current, now) ? 0 : pause;
        if (now + wait >= deadline) throw e;
        if (wait > 0) {
          await sleep(wait);
          pause = Math.min(MAX_RETRY_PAUSE_MS, pause * 2);
        }
      }
    }
  }

  private attempt(path: string, message: Buffer, deadline: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let conn: Connection;
      try {
        conn = this.connect();
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const session = conn.session;
      // Held open while calls are in flight, like any other pending I/O.
      if (conn.inFlight++ === 0) session.ref();
      const done = (): void => {
        if (--conn.inFlight === 0) session.unref();
      };
      const stream = leanRequest(session, {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let statusMessage = '';
      const takeStatus = (headers: http2.IncomingHttpHeaders): void => {
        const s = headers['grpc-status'];
        if (s === undefined) return;
        status = Number(s);
        const m = headers['grpc-message'];
        statusMessage = typeof m === 'string' ? percentDecoded(m) : '';
      };
      stream.on('response', takeStatus);
      stream.on('trailers', takeStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.setTimeout(Math.max(1, deadline - Date.now()), () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new GrpcError(DEADLINE_EXCEEDED, `etcd call ${path} took over ${this.timeoutMs} ms`));
      });
      let streamError = '';
      stream.on('error', (e: Error) => {
        streamError = e.message;
      });
      stream.on('close', () => {
        done();
        if (status === undefined) {
          // Never connected, or refused by the server (REFUSED_STREAM, also what a GOAWAY
          // gives the streams it did not take): not applied. Anything else: unknown.
          const notApplied = !conn.connected || stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
          const why = streamError === '' ? 'stream closed without a status' : streamError;
          reject(
            new GrpcError(
              UNAVAILABLE,
              `etcd call ${path} to ${this.endpoints[conn.endpoint] ?? ''}: ${why}`,
              notApplied,
            ),
          );
          return;
        }
        if (status !== 0) {
          reject(new GrpcError(status, statusMessage, REFUSED_BEFORE_PROPOSAL.test(statusMessage)));
          return;
        }
        const body = chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks);
        if (body.length < 5) {
          reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: no reply message`));
          return;
        }
        if (body[0] !== 0) {
          reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: compressed reply not supported`));
          return;
        }
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      });
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.probes.values()) clearTimeout(timer);
    this.probes.clear();
    this.conn?.session.destroy();
    this.conn = undefined;
  }
}

/** grpc-message is percent-encoded; a malformed one is shown as sent rather than thrown. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
